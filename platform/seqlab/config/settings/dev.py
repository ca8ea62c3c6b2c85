"""A laptop: SQLite, the filesystem broker, DEBUG on unless the env says otherwise."""
from seqlab.config.env import env_bool
from seqlab.config.settings.base import *  # noqa: F401,F403

DEBUG = env_bool("DJANGO_DEBUG", True)
