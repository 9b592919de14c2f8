"""Detection math: boxes, IoU/GIoU, NMS, anchors, YOLO decoding and loss, Hungarian/DETR matching,
VOC and COCO average precision, and convolution arithmetic (seed 004 ch. 22-25, 27)."""
