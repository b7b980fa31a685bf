"""Decodes Confluent wire-format Avro records with fastavro, an Avro implementation independent of the
one Sluice writes with (avsc). Input: JSON lines {"schema": <registry schema string>, "record": <base64
of the Kafka value>}. Output: one JSON line per record with the decoded fields (logical types as text)."""
import base64, io, json, struct, sys
from fastavro import parse_schema, schemaless_reader

for line in sys.stdin:
    item = json.loads(line)
    raw = base64.b64decode(item["record"])
    magic, schema_id = struct.unpack(">bI", raw[:5])
    assert magic == 0, "magic byte must be 0"
    record = schemaless_reader(io.BytesIO(raw[5:]), parse_schema(json.loads(item["schema"])))
    print(json.dumps({"schema_id": schema_id, "record": record}, default=str))
