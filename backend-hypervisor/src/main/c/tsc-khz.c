/*
 * isolab-tsc-khz: prints the rate of this host's TSC in kHz, and nothing else.
 *
 * Under QEMU's TCG a guest's TSC is the host's (QEMU reads it with rdtsc), so this is the rate the guest
 * kernel is told with tsc_early_khz=, instead of calibrating its TSC against an emulated PIT: on a busy
 * host that calibration fails and leaves the guest on a 4 ms jiffies clock.
 *
 * Each reading brackets clock_gettime(CLOCK_MONOTONIC_RAW) between two rdtsc; the tightest bracket of
 * several is kept at each end, so a preemption between the reads cannot skew the result.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define WINDOW_NS 50000000ull	/* 50 ms: bracket errors of a few hundred cycles are then < 10 ppm */
#define TRIES 16

struct reading {
	uint64_t tsc;
	uint64_t ns;
	uint64_t width;
};

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct reading read_both(void)
{
	struct reading best = { .width = UINT64_MAX };

	for (int i = 0; i < TRIES; i++) {
		uint64_t before = rdtsc();
		uint64_t ns = raw_ns();
		uint64_t after = rdtsc();

		if (after - before < best.width) {
			best.tsc = before + (after - before) / 2;
			best.ns = ns;
			best.width = after - before;
		}
	}
	return best;
}

int main(void)
{
	struct reading start = read_both();
	struct timespec pause = { .tv_sec = 0, .tv_nsec = (long)WINDOW_NS };
	struct reading end;

	nanosleep(&pause, NULL);
	end = read_both();
	if (end.ns <= start.ns || end.tsc <= start.tsc) {
		fprintf(stderr, "isolab-tsc-khz: the TSC or the clock did not advance\n");
		return 1;
	}
	printf("%llu\n", (unsigned long long)((end.tsc - start.tsc) * 1000000ull / (end.ns - start.ns)));
	return 0;
}
