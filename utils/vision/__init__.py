"""Part III, convolutional networks and computer vision (notebooks 20-29): convolution, boxes, detection."""
