"""Est-ce rural ? The official, dated verdict of one commune (``verdict``) or of a whole file (``batch``)."""
