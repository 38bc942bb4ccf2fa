/* The virtual home's WAN delay line, hot loop in C (lab only, never shipped).
 *
 * Same behaviour as the Python forwarder in delay_line.py (which documents
 * the design): two AF_PACKET sockets with PACKET_VNET_HDR bridge two
 * interfaces without addresses, and every frame leaves the other side one
 * half round trip after it arrived, in order. What this adds is batching
 * and no interpreter: recvmmsg/sendmmsg move up to BATCH frames per system
 * call, and each direction runs on its own thread without a shared lock, so
 * 16 TCP flows at 2 Gbit/s (tens of thousands of frames a second each way)
 * cost a fraction of a core instead of a whole one.
 *
 * Usage: delay_line_c IF_A IF_B RTT_MS [RTT_FILE|- [RUNMARK]]
 * RTT_FILE, when given, is re-read every 200 ms (degrade_wan(rtt_ms=...));
 * RUNMARK is ignored (it marks the process for the lab's stale-run cleanup).
 * Every 5 s, frames the kernel dropped because we read too slowly
 * (PACKET_STATISTICS) are printed on stderr. Built by delay_line.py with
 * gcc -O2 -pthread at lab setup.
 *
 * It asks for real-time priority (SCHED_FIFO 10) before it starts its
 * threads: it is the wire, and a wire does not wait for the CPU. Under a
 * loaded machine a normal-priority delay line was descheduled for
 * milliseconds, a queue and jitter no real line has, and every benchmark
 * through it read the machine's load. It only ever sleeps in ppoll when
 * idle, and the kernel's real-time throttling (95 % of each second) bounds
 * it in any case. Without the privilege it runs as any process and says so.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKET_VNET_HDR
#define PACKET_VNET_HDR 15
#endif
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define FRAME_MAX (256 * 1024) /* a GSO super-packet with its headers fits */
#define BATCH 64
#define QUEUE_CAP (1 << 18) /* frames in flight per direction */
#define SOCKET_BUFFER (32 * 1024 * 1024)

static volatile sig_atomic_t stopping = 0;
static volatile int64_t one_way_ns = 0;

struct frame {
    int64_t due_ns;
    uint32_t len;
    unsigned char *data;
};

struct direction {
    int src, dst;
    struct frame *queue; /* ring of QUEUE_CAP */
    size_t head, count;
};

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int packet_socket(const char *ifname) {
    int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (s < 0) {
        perror("socket");
        exit(1);
    }
    int one = 1, size = SOCKET_BUFFER;
    setsockopt(s, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one);
    setsockopt(s, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
    setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
    setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size);
    struct sockaddr_ll addr = {0};
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(ETH_P_ALL);
    addr.sll_ifindex = (int)if_nametoindex(ifname);
    if (addr.sll_ifindex == 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
        perror(ifname);
        exit(1);
    }
    return s;
}

/* Send every frame that is due, BATCH at a time; a frame the far end refuses is lost. */
static void send_due(struct direction *d) {
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    int64_t now = now_ns();
    while (d->count > 0) {
        unsigned n = 0;
        while (n < BATCH && n < d->count) {
            struct frame *f = &d->queue[(d->head + n) % QUEUE_CAP];
            if (f->due_ns > now)
                break;
            iov[n].iov_base = f->data;
            iov[n].iov_len = f->len;
            memset(&msgs[n], 0, sizeof msgs[n]);
            msgs[n].msg_hdr.msg_iov = &iov[n];
            msgs[n].msg_hdr.msg_iovlen = 1;
            n++;
        }
        if (n == 0)
            return;
        int sent = sendmmsg(d->dst, msgs, n, 0);
        if (sent <= 0) {
            if (sent < 0 && errno == EINTR)
                continue;
            sent = 1; /* drop the refused frame and go on */
        }
        for (int i = 0; i < sent; i++) {
            free(d->queue[d->head].data);
            d->head = (d->head + 1) % QUEUE_CAP;
            d->count--;
        }
    }
}

static void *forward(void *arg) {
    struct direction *d = arg;
    static __thread unsigned char *bufs[BATCH];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    for (int i = 0; i < BATCH; i++) {
        bufs[i] = malloc(FRAME_MAX);
        if (bufs[i] == NULL)
            exit(1);
    }
    struct pollfd pfd = {.fd = d->src, .events = POLLIN};
    while (!stopping) {
        send_due(d);
        struct timespec wait = {0, 100000000}; /* idle: look again in 100 ms */
        if (d->count > 0) {
            int64_t left = d->queue[d->head].due_ns - now_ns();
            if (left < 0)
                left = 0;
            wait.tv_sec = left / 1000000000LL;
            wait.tv_nsec = left % 1000000000LL;
        }
        int ready = ppoll(&pfd, 1, &wait, NULL);
        if (ready <= 0)
            continue;
        for (int i = 0; i < BATCH; i++) {
            iov[i].iov_base = bufs[i];
            iov[i].iov_len = FRAME_MAX;
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int got = recvmmsg(d->src, msgs, BATCH, MSG_DONTWAIT, NULL);
        if (got <= 0)
            continue;
        int64_t due = now_ns() + one_way_ns;
        for (int i = 0; i < got; i++) {
            if (d->count >= QUEUE_CAP)
                break; /* far beyond any queue the shaper allows: lose it */
            uint32_t len = msgs[i].msg_len;
            unsigned char *copy = malloc(len ? len : 1);
            if (copy == NULL)
                break;
            memcpy(copy, bufs[i], len);
            struct frame *f = &d->queue[(d->head + d->count) % QUEUE_CAP];
            f->due_ns = due;
            f->len = len;
            f->data = copy;
            d->count++;
        }
    }
    return NULL;
}

static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
}

static void read_rtt(const char *path) {
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    double ms;
    if (fscanf(f, "%lf", &ms) == 1 && ms >= 0)
        one_way_ns = (int64_t)(ms * 1e6 / 2);
    fclose(f);
}

static void report_drops(int s, const char *name) {
    struct tpacket_stats st;
    socklen_t len = sizeof st;
    if (getsockopt(s, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0 && st.tp_drops)
        fprintf(stderr, "%s: %u of %u frames dropped\n", name, st.tp_drops, st.tp_packets);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s IF_A IF_B RTT_MS [RTT_FILE|- [RUNMARK]]\n", argv[0]);
        return 2;
    }
    one_way_ns = (int64_t)(atof(argv[3]) * 1e6 / 2);
    const char *rtt_file = argc > 4 && strcmp(argv[4], "-") != 0 ? argv[4] : NULL;
    int a = packet_socket(argv[1]), b = packet_socket(argv[2]);
    struct direction ab = {a, b, calloc(QUEUE_CAP, sizeof(struct frame)), 0, 0};
    struct direction ba = {b, a, calloc(QUEUE_CAP, sizeof(struct frame)), 0, 0};
    if (ab.queue == NULL || ba.queue == NULL)
        return 1;
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    struct sched_param prio = {.sched_priority = 10};
    if (sched_setscheduler(0, SCHED_FIFO, &prio) != 0) /* threads inherit it */
        fprintf(stderr, "no real-time priority (%s): the delay shares the CPU\n", strerror(errno));
    pthread_t t1, t2;
    pthread_create(&t1, NULL, forward, &ab);
    pthread_create(&t2, NULL, forward, &ba);
    int ticks = 0;
    while (!stopping) {
        usleep(200000);
        if (rtt_file != NULL)
            read_rtt(rtt_file);
        if (++ticks % 25 == 0) {
            report_drops(a, argv[1]);
            report_drops(b, argv[2]);
        }
    }
    return 0; /* the threads end with the process */
}
