"""Decoding: one loop (`loop.DecodeLoop`), steppers behind one protocol
(`steppers.make_stepper`), one way to pick, one set of candidates, one set of end ids,
and the incremental detokenizer. Imports torch: the engine imports it lazily."""

from tutor.engine.decode.detok import Detokenizer
from tutor.engine.decode.loop import DecodeLoop, Step, candidates, eos_ids, greedy, picker
from tutor.engine.decode.steppers import CacheStepper, FullStepper, Seq2SeqStepper, make_stepper

__all__ = ["CacheStepper", "DecodeLoop", "Detokenizer", "FullStepper", "Seq2SeqStepper", "Step",
           "candidates", "eos_ids", "greedy", "make_stepper", "picker"]
