"""The staff back office: `create_backoffice_app(services)` in onboarding.backoffice.app (served alone by
`onboard backoffice`, and by `onboard serve`). Its own app and port: nothing of it is reachable through the
merchant portal."""
