// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_hold: keep one empty VM alive for as long as the test VM runs.
 *
 * KVM enables the preempt_notifier_key static branch when the first VM of
 * the host is created and disables it when the last one goes away, so a
 * suite of tests that each create and destroy their own VM flips it, and
 * patches the kernel text at two branch sites in the scheduler, at every
 * test. Under QEMU 7.2 (TCG, nested) a CPU was seen to keep running the
 * unpatched sched-in site after such a flip: kvm_sched_out() ran for a vCPU
 * thread and kvm_sched_in() did not, which left KVM_RUN without a loaded
 * vCPU (WARNs in mark_page_dirty_in_slot() and kvm_vcpu_load_debug()). One
 * VM held by this process keeps the key enabled for the whole run, so the
 * tests never flip it. It is a workaround of the test bed, not of the
 * kernel under test: see README "The test suite".
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vm;

	if (kvm < 0) {
		perror("kvm_hold: /dev/kvm");
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("kvm_hold: KVM_CREATE_VM");
		return 1;
	}
	for (;;)
		pause();
}
