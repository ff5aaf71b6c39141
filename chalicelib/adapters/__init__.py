"""The edge: the only package that imports boto3, the language detector or deep-translator."""
