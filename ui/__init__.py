"""The Gradio chat app, mounted beside the HTTP API."""
