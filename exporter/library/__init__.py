"""The books reach their readers: a library page and OPDS catalog of OUT, a server, and e-mail delivery."""
