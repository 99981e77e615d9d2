"""The merchant upload portal: `create_app(services)` in onboarding.portal.app."""
