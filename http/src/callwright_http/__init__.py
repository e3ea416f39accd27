"""What callwright's two HTTP services (the issuer and the page backend) share, and no
more: it depends on Starlette alone, so the page's image carries no database driver."""
