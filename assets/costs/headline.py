"""The model the headline table (`gpucost run`) and the training mart's metadata are about."""

HEADLINE_MODEL = "GPT-3 175B"
