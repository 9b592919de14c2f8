"""What a node can do besides its callbacks, as explicit base classes (checked with isinstance by the runners,
visuomotor.nodes.runner and visuomotor.harness.composition).

- BackgroundWork: the node runs threads of its own (the simulation loop, the detection worker); the runner calls
  start() once the node is constructed and stop() before the node is destroyed.
- FrameProducer: the node produces RGBDFrames (a camera); in composed mode the frames also go to `frame_sinks`,
  callables in the same process, instead of being serialised for them.
- FrameConsumer: the node takes RGBDFrames; use_in_process_frames() switches it from its image topics to the
  returned callable (callable from any thread).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from visuomotor.camera.frame import RGBDFrame

FrameSink = Callable[[RGBDFrame], None]


class BackgroundWork(ABC):
    @abstractmethod
    def start(self) -> None:
        """Start the node's own threads."""

    @abstractmethod
    def stop(self) -> None:
        """Stop and join them (before the node is destroyed, so nothing publishes on a dead context)."""


class FrameProducer(ABC):
    frame_sinks: list[FrameSink]


class FrameConsumer(ABC):
    @abstractmethod
    def use_in_process_frames(self) -> FrameSink:
        """Stop reading the image topics; frames now come through the returned callable."""
