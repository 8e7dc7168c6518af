"""Part V, attention and transformers (notebooks 39-41): attention, the encoder and decoder blocks, tiny BERT and GPT."""
