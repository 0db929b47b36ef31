/*
 * How much time the virtual machine takes away from a running thread (issue 17). A thread spins reading the
 * monotonic clock for SECONDS; any gap between two reads longer than 0.1 ms is time the thread did not run:
 * an interrupt, another thread on the same CPU, or the host running something else on the vCPU's core.
 * Run one per vCPU at once to see what happens when every vCPU is busy:
 *
 *   cc -O2 -o vcpu-gaps vcpu-gaps.c
 *   taskset -c 0 ./vcpu-gaps 10 & taskset -c 1 ./vcpu-gaps 10; wait
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    int seconds = argc > 1 ? atoi(argv[1]) : 10;
    static const int64_t limits[] = {100000, 500000, 1000000, 2000000, 5000000};
    long counts[5] = {0};
    int64_t end = now_ns() + (int64_t) seconds * 1000000000LL, prev = now_ns(), worst = 0, lost = 0;
    while (prev < end) {
        int64_t t = now_ns(), gap = t - prev;
        if (gap > limits[0]) {
            lost += gap;
            if (gap > worst) worst = gap;
            for (int i = 0; i < 5; i++) {
                if (gap > limits[i]) counts[i]++;
            }
        }
        prev = t;
    }
    printf("gaps over %d s: >0.1ms %ld, >0.5ms %ld, >1ms %ld, >2ms %ld, >5ms %ld; worst %.2f ms; time lost %.1f%%\n",
           seconds, counts[0], counts[1], counts[2], counts[3], counts[4], (double) worst / 1e6,
           (double) lost * 100.0 / ((double) seconds * 1e9));
    return 0;
}
