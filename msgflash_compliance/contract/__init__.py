"""The contract in machine form: the OpenAPI description, the guarantee catalog and the contract settings."""
