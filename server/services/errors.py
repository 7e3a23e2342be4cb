class UserInputError(Exception):
    """A rule of the domain refused what a person entered; shown next to the field."""

    def __init__(self, message: str, field: str | None = None, code: str = "INVALID") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
