# The weekly report arrives with its own issue; the app exists so that its migrations have a home.
