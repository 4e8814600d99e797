"""The ``claims`` command (``claims_cli.app:main``): a thin layer above the library
(``claims/``) and the Prefect flows (``flows/``) that parses arguments, calls them and
prints. Neither of those imports it."""
