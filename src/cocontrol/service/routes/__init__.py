"""One router per resource; each handler is a thin shell over a service function."""
