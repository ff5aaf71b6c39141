"""The local stack (not deployed): embedded moto, the API on 127.0.0.1, a poller per worker."""
