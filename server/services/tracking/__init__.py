"""Flight paths and tracking during the key stage (issue 14): assessment points, expected
grades at each point, working-at grades and whether a pupil is on track."""
