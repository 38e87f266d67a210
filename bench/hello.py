"""The bare Flask route every LearnLoop page is compared with: same server, same settings."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello():
    return "Hello"
