"""Part II, training neural networks (notebooks 07-19): activations, losses, descent, batching, backprop."""
