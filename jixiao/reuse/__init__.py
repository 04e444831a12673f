"""Text reuse: passages and their keys, repeats inside one report, the cross-report index, and the boilerplate share built from them."""
