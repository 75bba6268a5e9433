/*
 * The wire protocol between isolab (the host) and isolab-guest-init, over one virtio-serial port.
 * Mirrored by io.isolab.backend.hypervisor.GuestProtocol: change both together.
 *
 * Everything on the port is a frame: an 8-byte header (little-endian) and a payload of at most
 * FRAME_MAX bytes. Workload output only ever travels as the payload of STDOUT/STDERR frames, so no
 * byte a workload writes can be mistaken for a header; the magic makes a desynchronised stream fail
 * loudly instead of being misread.
 */
#ifndef ISOLAB_PROTOCOL_H
#define ISOLAB_PROTOCOL_H

#include <stdint.h>

#define FRAME_MAGIC 0x1a5b
#define FRAME_MAX 65536
#define PORT_NAME "io.isolab.0"

struct frame_header {
	uint16_t magic;
	uint8_t type;
	uint8_t proc;		/* 0: the main process, 1..: processes added by EXEC */
	uint32_t length;	/* payload bytes */
} __attribute__((packed));

enum frame_type {
	/* guest to host */
	FRAME_HELLO = 1,	/* struct hello */
	FRAME_STARTED = 2,	/* struct started */
	FRAME_START_FAILED = 3,	/* int32 errno, then "step\0detail" */
	FRAME_STDOUT = 4,	/* bytes */
	FRAME_STDERR = 5,	/* bytes */
	FRAME_EXIT = 6,		/* struct exit_report */
	FRAME_STATS = 7,	/* struct stats_report */
	FRAME_LOG = 8,		/* text: init's own diagnostics */
	/* host to guest */
	FRAME_RUN = 16,		/* spec TLVs: starts the main process */
	FRAME_EXEC = 17,	/* spec TLVs: one more process in the main process's namespaces */
	FRAME_KILL = 18,	/* int32 signal */
	FRAME_STATS_REQUEST = 19,
	FRAME_POWER_OFF = 20,	/* the host has what it needs: power off */
};

/* A spec is a sequence of TLVs: uint8 tag, uint32 length, value. Numbers are uint32. */
enum spec_tag {
	TAG_ARG = 1,
	TAG_ENV = 2,		/* NAME=value */
	TAG_CWD = 3,
	TAG_UID = 4,
	TAG_GID = 5,
	TAG_GROUP = 6,		/* one supplementary group */
	TAG_HOSTNAME = 7,	/* RUN only */
	TAG_PIDS_MAX = 8,	/* RUN only */
	TAG_READ_ONLY_ROOT = 9,	/* RUN only, no value */
	TAG_CPU_MAX = 10,	/* RUN only: uint32 quota, uint32 period (microseconds), as cpu.max */
};

/* Times are CLOCK_BOOTTIME nanoseconds: the guest kernel's clock since it started. */
struct hello {
	uint64_t init_ns;	/* init's first instruction */
	uint64_t modules_ns;	/* drivers loaded */
	uint64_t ready_ns;	/* port open, about to send this */
} __attribute__((packed));

struct started {
	uint32_t pid;		/* in the guest's initial PID namespace */
	uint32_t reserved;
	uint64_t exec_ns;
} __attribute__((packed));

struct exit_report {
	uint32_t wait_status;	/* as waitpid(2) returns it */
	uint32_t reserved;
	uint64_t oom_kills;	/* the workload cgroup's memory.events oom_kill */
	uint64_t user_ns;	/* rusage of the process and its reaped descendants */
	uint64_t system_ns;
	uint64_t max_rss_bytes;
	uint64_t memory_peak_bytes;	/* the workload cgroup's memory.peak */
	uint64_t exit_ns;
} __attribute__((packed));

struct stats_report {
	uint64_t memory_bytes;		/* workload cgroup memory.current */
	uint64_t memory_peak_bytes;	/* memory.peak */
	uint64_t pids;			/* pids.current */
	uint64_t cpu_ns;		/* cpu.stat usage_usec * 1000 */
	uint64_t oom_kills;
	uint64_t guest_total_bytes;	/* /proc/meminfo MemTotal */
	uint64_t guest_available_bytes;	/* MemAvailable */
} __attribute__((packed));

/*
 * The console run (console.c) has no port: the host reads the serial console, where the workload's output
 * appears as it is, and then one line of status, which the host recognises by its nonce:
 *
 *   isolab-exit NONCE exit code=C signal=S oom_kills=N init_ns=T ready_ns=T exec_ns=T exit_ns=T
 *   isolab-exit NONCE failed step=STEP errno=E DETAIL
 *
 * code is -1 when the workload was killed by signal S; the times are CLOCK_BOOTTIME nanoseconds, as in
 * struct hello, struct started and struct exit_report. Mirrored by io.isolab.benchmarks.targets.QemuTarget.
 */
#define CONSOLE_STATUS "isolab-exit"

#endif
