"""The Qt desktop app. Widgets and item models only: data comes from services, never SQL."""
