# Read by the `flask` command only (python-dotenv), never by gunicorn.
# A checkout runs the CLI in development mode; production sets APP_ENV=production
# in its real environment, which always wins over this file.
FLASK_APP=app
APP_ENV=development
