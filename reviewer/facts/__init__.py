"""What the entries say: questions, TODOs and reflections (extract), their life across weeks
(tracking), ISO weeks and streaks (calendar), and journaling statistics (stats). Pure."""
