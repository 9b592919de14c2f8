"""Graph runners and observers: the demo session and its monitor, the bag-replay probe, the composed
(one-process) graph, the controller benchmark and the demo's recorder. They start and watch graphs of nodes;
they are not nodes of the graph themselves."""
