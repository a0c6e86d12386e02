"""One case, many forms: a scenario fills several target forms in turn from one case
(app/scenario/run.py), keeping values a form issued for the forms after it."""
