#!/usr/bin/python3
"""Confluent's Python client (confluent_kafka, Debian's python3-confluent-kafka 1.7) against
Prism, unchanged: registers an Avro schema, looks it up, checks a compatible and an
incompatible change, and round-trips a record through the JSON Schema serializer.

    npm start                                                   (in one terminal)
    sudo apt-get install python3-confluent-kafka python3-requests python3-jsonschema
    /usr/bin/python3 examples/confluent-schema-registry/clients/python-demo.py [registry URL]

The last line printed is a JSON summary (the project's tests read it).
"""
import json
import os
import sys

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081")
client = SchemaRegistryClient({"url": url})

user_v1 = {"type": "record", "name": "User", "namespace": "demo.prism", "fields": [{"name": "name", "type": "string"}]}
user_v2 = {**user_v1, "fields": user_v1["fields"] + [{"name": "age", "type": "int", "default": 0}]}
user_bad = {**user_v1, "fields": [{"name": "name", "type": "int"}]}

subject = "demo-python-users-value"
schema_id = client.register_schema(subject, Schema(json.dumps(user_v1), "AVRO"))
found = client.lookup_schema(subject, Schema(json.dumps(user_v1), "AVRO"))
compatible = client.test_compatibility(subject, Schema(json.dumps(user_v2), "AVRO"))
incompatible = client.test_compatibility(subject, Schema(json.dumps(user_bad), "AVRO"))
latest = client.get_latest_version(subject)

order_schema = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Order",
    "type": "object",
    "properties": {"id": {"type": "string"}, "amount": {"type": "number"}},
    "required": ["id"],
})
topic_context = SerializationContext("demo-python-orders", MessageField.VALUE)
serializer = JSONSerializer(order_schema, client, conf={"auto.register.schemas": True})
deserializer = JSONDeserializer(order_schema)
payload = serializer({"id": "o-7", "amount": 3.5}, topic_context)
record = deserializer(payload, topic_context)

print(json.dumps({
    "id": schema_id,
    "lookupVersion": found.version,
    "latestVersion": latest.version,
    "compatible": compatible,
    "incompatible": incompatible,
    "jsonRecord": record,
    "jsonSchemaId": int.from_bytes(payload[1:5], "big"),
}))
