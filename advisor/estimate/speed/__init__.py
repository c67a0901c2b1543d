"""Speed: how fast a placed model decodes and prefills, one stream (predict) or batched.

figures: the values (Speed, Figure); load: what a token costs; model: the fitted speed model;
devices: which device does which work; predict: the single-stream estimate; floor: a lower
bound on prefill time; batched, batched_physics: B sequences at once; hardware: chip facts.
The constants are fitted offline by scripts/fitting/.
"""
