"""The policy as versioned data: schema, condition language and loader."""
