"""Points, badges, draw chances, prize pools, draws, shipping and the quiz (rules §9)."""
