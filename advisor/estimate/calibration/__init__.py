"""What this machine's own throughput tests say about the estimator, and how estimates change.

The values (runs in, the calibration out) are in `values`, the reduction of runs to per-file
ratios in `build`, and the rule that decides what speaks for an estimate, and rescales it, in
`apply`.

The estimate stage owns the calibration maths; `advisor.bench` measures, pairs each run with
the estimator's prediction and hands the ratios over as `CalibrationRun` values. The rule
(docs/bench.md repeats it):

* A run is one stored pp512/tg128 test on this machine, on every physical core (the thread
  count the estimator assumes), for which the estimator has a prediction: the ratio
  measured / estimated, for decode and prefill. A test whose repetitions spread by more
  than MAX_SPREAD (sample standard deviation over mean) was disturbed: it does not count.
* Runs of the same file are reduced to their median ratio, so a file measured ten times
  counts once.
* A run speaks only for estimates of the same machine (fingerprint), backend and placement
  kind, of files within SIZE_SPAN times its own file's size either way (a 0.4 MB file sits
  in the CPU's cache and says nothing about a 20 GB model), and of its own kernel path
  (advisor.estimate.speed.load.quant_class: f16, q8_0, legacy, kquant, iquant, mxfp4).
* A run of another kernel path still speaks, through the kernel-path probes: generated
  models of one shape in several quant types (advisor bench runs them), whose ratios give
  each path's cost relative to the others on this machine. A file of path a then says
  ratio_a × probe_b / probe_a for a file of path b (a probe itself speaks only for its own
  path). Without probes of both paths it says nothing: calibration rescales a kernel path,
  never the whole machine by one factor.
* The raw factor is the median over the files that speak. Within RUN_NOISE (6%, in log
  space) of 1 it is run-to-run noise and applies as 1; beyond it, only the part beyond counts,
  shrunk toward 1: factor = exp(sign(l) * max(0, |l| - RUN_NOISE) * n / (n + K)), l = ln(raw),
  n those files and K = 1. One file moves an estimate halfway (in log terms) toward what it
  measured beyond the band, three files three quarters of the way. The estimator's typical
  error (~20%) and the spread between models on one machine (~20%) are about equal, which is
  what K = 1 means.
* `scaling_for` is the one function that decides all of this, for every front end and for
  the prefill floor searches use (`prefill_speedup_bound`).
* Batched runs (`advisor bench --parallel`) calibrate the batched estimate on their own: a
  run's ratio is how much a step's time grows from one sequence to B, measured over
  estimated ((T(B)/T(1) - 1) measured / estimated, the median over its B >= 2), reduced per
  file (`build_batched`). They speak with the same scope as single-stream runs: the same
  machine, backend and placement kind, files within SIZE_SPAN times the size either way, and
  the same kernel path (the extra sequences' cost is matrix work, which is the kernel
  path's); the files that speak are reduced across files and shrunk as above
  (`batched_group_for`), and advisor.estimate.speed.batched scales the extra cost of every
  sequence beyond the first by the result.
* apply_calibration multiplies decode and prefill rates (and their ranges) by the factors,
  divides the per-token depth costs by them, records the factors in Speed.basis with status
  "calibrated", sets Speed.calibrated_from_runs to the number of runs behind them, and fills
  Speed.measured_* when this exact model and quant were measured with the same placement.
"""
