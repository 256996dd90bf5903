"""The Sequence dock: the selected flow of the exchange log drawn as a sequence diagram."""
