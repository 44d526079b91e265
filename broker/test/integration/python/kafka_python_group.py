"""kafka-python consumer groups against a broker node.

Usage: kafka_python_group.py BOOTSTRAP TOPIC
Two members share a topic, commit, and a restarted member resumes where the
group committed. Prints one JSON object with what it observed.
"""
import json
import sys
import threading
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
group = f"{topic}-group"
result = {}

admin = KafkaAdminClient(bootstrap_servers=bootstrap)
admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
producer = KafkaProducer(bootstrap_servers=bootstrap)
for i in range(100):
    producer.send(topic, value=f"first-{i}".encode(), partition=i % 2)
producer.flush()


def member():
    return KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                         enable_auto_commit=False, session_timeout_ms=6000, heartbeat_interval_ms=500,
                         consumer_timeout_ms=3000)


# Each member polls in its own thread: a JoinGroup waits for every member, so
# one thread polling both would hold the rebalance up until its timeout.
seen = {"a": [], "b": []}
assigned = {}
lock = threading.Lock()
done = threading.Event()


def run_member(name):
    consumer = member()
    deadline = time.time() + 60
    while not done.is_set() and time.time() < deadline:
        batch = consumer.poll(timeout_ms=200)
        with lock:
            for records in batch.values():
                seen[name].extend(r.value.decode() for r in records)
            if len(seen["a"]) + len(seen["b"]) >= 100:
                done.set()
        if batch:
            consumer.commit()
        if consumer.assignment():
            assigned[name] = True
    consumer.commit()
    consumer.close()


threads = [threading.Thread(target=run_member, args=(name,)) for name in ("a", "b")]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
result["first_consumed"] = len(seen["a"]) + len(seen["b"])
result["first_distinct"] = len(set(seen["a"]) | set(seen["b"]))
result["both_members_got_partitions"] = assigned.get("a", False) and assigned.get("b", False)

offsets = admin.list_consumer_group_offsets(group)
result["committed"] = {str(tp.partition): meta.offset for tp, meta in sorted(offsets.items())}
result["listed"] = any(g[0] == group for g in admin.list_consumer_groups())

for i in range(10):
    producer.send(topic, value=f"second-{i}".encode(), partition=i % 2)
producer.flush()
again = member()
resumed = []
deadline = time.time() + 30
while len(resumed) < 10 and time.time() < deadline:
    for records in again.poll(timeout_ms=200).values():
        resumed.extend(r.value.decode() for r in records)
result["resumed"] = sorted(resumed) == sorted(f"second-{i}" for i in range(10))
again.commit()
again.close()
producer.close()
admin.close()
print(json.dumps(result))
