"""The WSGI apps the benchmarks serve: Article 26 itself, and the bare Flask baseline."""

from flask import Flask

hello = Flask("hello")


@hello.get("/")
def say_hello():
    return "Hello, World!"


def article26():
    """The production configuration (from the environment), with sign-in rate limits off: the benchmark signs
    hundreds of learners in from one loopback address during its untimed setup."""
    from app import create_app
    from config import ProductionConfig

    return create_app(ProductionConfig, {"RATELIMIT_ENABLED": False})
