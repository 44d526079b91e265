/*
 * A minimal librdkafka load generator for the broker benchmark (bench/run.ts
 * builds it with gcc into a temp dir when librdkafka-dev is installed). It
 * exists because kcat's per-line work (reading and splitting its input,
 * formatting its output) caps kcat's own rate well below what the library
 * can push. Every mode prints one JSON line on stdout.
 *
 *   rdkafka-perf produce <brokers> <topic> <partition|-1> <records> <record bytes> [idempotent]
 *   rdkafka-perf consume <brokers> <topic> <partitions> <records>
 *   rdkafka-perf latency <brokers> <topic> <records/s> <seconds> <record bytes>
 *
 * produce with a trailing `idempotent` sets enable.idempotence=true (off by
 * default, as before).
 * consume reads partitions 0..n-1 from the beginning until it has seen
 * <records> records. latency produces at a fixed rate (one record at a time,
 * linger.ms=0, acks=1; the records due are produced every millisecond)
 * with a CLOCK_MONOTONIC stamp in the first 8 bytes of
 * each value, while a second thread consumes the partition (simple consumer,
 * no group) and records produce-to-receive times. The first 2 s are a
 * warm-up whose samples are left out.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <librdkafka/rdkafka.h>

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what, const char *detail) {
  fprintf(stderr, "rdkafka-perf: %s: %s\n", what, detail);
  exit(1);
}

static void set(rd_kafka_conf_t *conf, const char *key, const char *value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) die(key, err);
}

static volatile int64_t delivered = 0;
static volatile int64_t failed = 0;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) {
    if (failed++ == 0) fprintf(stderr, "rdkafka-perf: delivery failed: %s\n", rd_kafka_err2str(m->err));
  } else {
    delivered++;
  }
}

static rd_kafka_t *new_producer(const char *brokers, const char *linger_ms, const char *acks, int idempotent) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  char err[512];
  set(conf, "bootstrap.servers", brokers);
  set(conf, "linger.ms", linger_ms);
  set(conf, "acks", acks);
  set(conf, "compression.codec", "none");
  set(conf, "batch.size", "1000000");
  set(conf, "batch.num.messages", "100000");
  set(conf, "queue.buffering.max.messages", "2000000");
  set(conf, "queue.buffering.max.kbytes", "1048576");
  set(conf, "message.max.bytes", "1000000");
  if (idempotent) set(conf, "enable.idempotence", "true");
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) die("producer", err);
  return rk;
}

static rd_kafka_t *new_consumer(const char *brokers, const char *fetch_wait_ms) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  char err[512];
  set(conf, "bootstrap.servers", brokers);
  set(conf, "fetch.wait.max.ms", fetch_wait_ms);
  set(conf, "fetch.min.bytes", "1");
  set(conf, "fetch.message.max.bytes", "4194304");
  set(conf, "queued.min.messages", "1000000");
  set(conf, "enable.partition.eof", "false");
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) die("consumer", err);
  return rk;
}

static int produce(int argc, char **argv) {
  if (argc != 7 && !(argc == 8 && strcmp(argv[7], "idempotent") == 0))
    die("usage", "produce <brokers> <topic> <partition|-1> <records> <record bytes> [idempotent]");
  int idempotent = argc == 8;
  int32_t partition = atoi(argv[4]);
  int64_t records = atoll(argv[5]);
  size_t bytes = (size_t)atoll(argv[6]);
  char *payload = malloc(bytes);
  memset(payload, 'v', bytes);
  rd_kafka_t *rk = new_producer(argv[2], "5", "all", idempotent);
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, argv[3], NULL);
  if (partition < 0) partition = RD_KAFKA_PARTITION_UA;
  int64_t start = now_ns();
  for (int64_t i = 0; i < records;) {
    if (rd_kafka_produce(rkt, partition, 0, payload, bytes, NULL, 0, NULL) == 0) {
      i++;
      if ((i & 0x3ff) == 0) rd_kafka_poll(rk, 0);
    } else if (rd_kafka_last_error() == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk, 1);
    } else {
      die("produce", rd_kafka_err2str(rd_kafka_last_error()));
    }
  }
  if (rd_kafka_flush(rk, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR) die("flush", "timed out");
  double seconds = (now_ns() - start) / 1e9;
  printf("{\"records\":%" PRId64 ",\"failed\":%" PRId64 ",\"seconds\":%.6f}\n", (int64_t)delivered, (int64_t)failed, seconds);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return failed > 0 ? 1 : 0;
}

static int consume(int argc, char **argv) {
  if (argc != 6) die("usage", "consume <brokers> <topic> <partitions> <records>");
  int partitions = atoi(argv[4]);
  int64_t wanted = atoll(argv[5]);
  rd_kafka_t *rk = new_consumer(argv[2], "100");
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, argv[3], NULL);
  rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
  int64_t start = now_ns();
  for (int p = 0; p < partitions; p++) {
    if (rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, queue) != 0)
      die("consume_start", rd_kafka_err2str(rd_kafka_last_error()));
  }
  rd_kafka_message_t *batch[10000];
  int64_t seen = 0;
  int64_t bytes = 0;
  int64_t idle_since = now_ns();
  while (seen < wanted) {
    /* Never ask for more than remain: a batch call waits until its batch is full or the timeout passes. */
    size_t room = wanted - seen < 10000 ? (size_t)(wanted - seen) : 10000;
    ssize_t n = rd_kafka_consume_batch_queue(queue, 1000, batch, room);
    if (n < 0) die("consume", rd_kafka_err2str(rd_kafka_last_error()));
    if (n == 0 && now_ns() - idle_since > 30000000000LL) die("consume", "no records for 30 s");
    if (n > 0) idle_since = now_ns();
    for (ssize_t i = 0; i < n; i++) {
      if (batch[i]->err) {
        if (batch[i]->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) die("consume", rd_kafka_message_errstr(batch[i]));
      } else {
        seen++;
        bytes += (int64_t)batch[i]->len;
      }
      rd_kafka_message_destroy(batch[i]);
    }
  }
  double seconds = (now_ns() - start) / 1e9;
  printf("{\"records\":%" PRId64 ",\"valueBytes\":%" PRId64 ",\"seconds\":%.6f}\n", seen, bytes, seconds);
  for (int p = 0; p < partitions; p++) rd_kafka_consume_stop(rkt, p);
  rd_kafka_queue_destroy(queue);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return 0;
}

struct latency_state {
  const char *brokers;
  const char *topic;
  int64_t wanted;
  int64_t *samples_ns;
  int64_t seen;
  /* Set once the warm-up record (stamp 0) has come through: both clients are connected and positioned. */
  volatile int warm;
};

static void *latency_consumer(void *arg) {
  struct latency_state *s = arg;
  rd_kafka_t *rk = new_consumer(s->brokers, "500");
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, s->topic, NULL);
  if (rd_kafka_consume_start(rkt, 0, RD_KAFKA_OFFSET_END) != 0) die("consume_start", rd_kafka_err2str(rd_kafka_last_error()));
  /* One message at a time: rd_kafka_consume_batch would hold records back until its batch fills. */
  int64_t deadline = 0;
  while (s->seen < s->wanted) {
    rd_kafka_message_t *m = rd_kafka_consume(rkt, 0, 100);
    int64_t received = now_ns();
    if (m) {
      if (!m->err && m->len >= 8) {
        int64_t sent;
        memcpy(&sent, m->payload, 8);
        if (sent == 0) s->warm = 1;
        else s->samples_ns[s->seen++] = received - sent;
      }
      rd_kafka_message_destroy(m);
    }
    if (deadline == 0 && s->seen > 0) deadline = received + 120000000000LL;
    if (deadline != 0 && received > deadline) break;
  }
  rd_kafka_consume_stop(rkt, 0);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return NULL;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static int latency(int argc, char **argv) {
  if (argc != 7) die("usage", "latency <brokers> <topic> <records/s> <seconds> <record bytes>");
  int64_t rate = atoll(argv[4]);
  double duration = atof(argv[5]);
  size_t bytes = (size_t)atoll(argv[6]);
  if (bytes < 8) bytes = 8;
  /* The first 2 s at the rate warm the path up (connections, JIT, buffers); their samples are left out. */
  int64_t warmup = rate * 2;
  int64_t measured = (int64_t)(rate * duration);
  int64_t total = warmup + measured;
  struct latency_state s = {argv[2], argv[3], total, calloc((size_t)total, sizeof(int64_t)), 0, 0};
  pthread_t consumer;
  pthread_create(&consumer, NULL, latency_consumer, &s);

  rd_kafka_t *rk = new_producer(argv[2], "0", "1", 0);
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, argv[3], NULL);
  char *payload = malloc(bytes);
  memset(payload, 'v', bytes);
  /* Let the consumer reach the log end (1 s), then send warm-up records until one comes through. */
  struct timespec settle = {1, 0};
  nanosleep(&settle, NULL);
  int64_t zero = 0;
  memcpy(payload, &zero, 8);
  for (int tries = 0; !s.warm; tries++) {
    if (tries == 100) die("latency", "the warm-up record did not arrive within 10 s");
    if (tries % 10 == 0) rd_kafka_produce(rkt, 0, RD_KAFKA_MSG_F_COPY, payload, bytes, NULL, 0, NULL);
    rd_kafka_poll(rk, 100);
  }
  /*
   * A tick every millisecond (absolute sleeps, no spinning: the client must
   * not steal the broker's CPU on a small machine) produces the records due
   * by then, each stamped as it is handed to librdkafka.
   */
  int64_t start = now_ns();
  struct timespec tick;
  clock_gettime(CLOCK_MONOTONIC, &tick);
  int64_t sent = 0;
  while (sent < total) {
    tick.tv_nsec += 1000000;
    if (tick.tv_nsec >= 1000000000) {
      tick.tv_nsec -= 1000000000;
      tick.tv_sec++;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &tick, NULL) == EINTR) {
    }
    int64_t now = now_ns();
    int64_t due = (int64_t)((double)(now - start) * rate / 1e9);
    if (due > total) due = total;
    for (; sent < due; sent++) {
      now = now_ns();
      memcpy(payload, &now, 8);
      while (rd_kafka_produce(rkt, 0, RD_KAFKA_MSG_F_COPY, payload, bytes, NULL, 0, NULL) != 0) rd_kafka_poll(rk, 1);
    }
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 30000);
  double seconds = (now_ns() - start) / 1e9;
  pthread_join(consumer, NULL);
  const char *trace = getenv("RDKAFKA_PERF_TRACE");
  if (trace) {
    FILE *f = fopen(trace, "w");
    for (int64_t i = 0; i < s.seen; i++) fprintf(f, "%" PRId64 "\n", s.samples_ns[i]);
    fclose(f);
  }
  int64_t *samples = s.samples_ns + warmup;
  int64_t count = s.seen > warmup ? s.seen - warmup : 0;
  qsort(samples, (size_t)count, sizeof(int64_t), cmp_i64);
  double p50 = 0, p99 = 0, max = 0;
  if (count > 0) {
    p50 = samples[(count - 1) * 50 / 100] / 1e6;
    p99 = samples[(count - 1) * 99 / 100] / 1e6;
    max = samples[count - 1] / 1e6;
  }
  printf("{\"records\":%" PRId64 ",\"received\":%" PRId64 ",\"warmupRecords\":%" PRId64 ",\"seconds\":%.6f,\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"maxMs\":%.3f,\"failed\":%" PRId64 "}\n",
         measured, count, warmup, seconds, p50, p99, max, (int64_t)failed);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return s.seen == total && failed == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc < 2) die("usage", "produce | consume | latency ...");
  if (strcmp(argv[1], "produce") == 0) return produce(argc, argv);
  if (strcmp(argv[1], "consume") == 0) return consume(argc, argv);
  if (strcmp(argv[1], "latency") == 0) return latency(argc, argv);
  die("unknown mode", argv[1]);
  return 1;
}
