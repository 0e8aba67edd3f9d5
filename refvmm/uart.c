// SPDX-License-Identifier: GPL-2.0
/*
 * An ns16550a UART on MMIO exits: the guest's console. Output goes to
 * stdout as the guest writes THR; input comes from stdin through a thread
 * and raises SPI UART_SPI (KVM_IRQ_LINE) while data is ready. One byte per
 * register (reg-shift 0), no baud rate timing: the transmitter is always
 * empty, so LSR always has THRE and TEMT.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmm.h"

/* Registers (the 16550 data sheet's names); DLL/DLM when LCR.DLAB is set */
#define UART_RBR_THR	0
#define UART_IER	1
#define UART_IIR_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* transmitter holding register empty */
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0	/* FIFOs enabled */
#define FCR_FIFO_EN	0x01
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

#define RX_FIFO		64

static struct uart {
	pthread_mutex_t lock;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_int;		/* THR empty interrupt pending */
	uint8_t rx[RX_FIFO];
	unsigned int rx_head, rx_count;
	int irq_level;
} uart = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.mcr = MCR_OUT2,
};

static uint8_t uart_iir(struct uart *u)
{
	uint8_t fifo = (u->fcr & FCR_FIFO_EN) ? IIR_FIFO : 0;

	if ((u->ier & IER_RDI) && u->rx_count)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thre_int)
		return fifo | IIR_THRI;
	return fifo | IIR_NO_INT;
}

/* Under u->lock: follow the interrupt line with the SPI's level */
static void uart_update_irq(struct vm *vm, struct uart *u)
{
	int level = !(uart_iir(u) & IIR_NO_INT);

	if (level != u->irq_level) {
		u->irq_level = level;
		vm_set_spi(vm, UART_SPI, level);
	}
}

static uint8_t uart_msr(struct uart *u)
{
	uint8_t msr = 0;

	if (!(u->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	/* Loopback: the modem outputs come back on the inputs */
	if (u->mcr & MCR_DTR)
		msr |= MSR_DSR;
	if (u->mcr & MCR_RTS)
		msr |= MSR_CTS;
	if (u->mcr & MCR_OUT1)
		msr |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		msr |= MSR_DCD;
	return msr;
}

static uint8_t uart_read(struct uart *u, uint64_t reg)
{
	uint8_t val = 0;

	switch (reg) {
	case UART_RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (u->rx_count) {
			val = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % RX_FIFO;
			u->rx_count--;
		}
		return val;
	case UART_IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case UART_IIR_FCR:
		val = uart_iir(u);
		/* reading IIR when it reports THRI clears that interrupt */
		if ((val & 0x0f) == IIR_THRI)
			u->thre_int = false;
		return val;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
	case UART_MSR:
		return uart_msr(u);
	case UART_SCR:
		return u->scr;
	}
	return 0;
}

static void uart_write(struct uart *u, uint64_t reg, uint8_t val)
{
	switch (reg) {
	case UART_RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = val;
			break;
		}
		if (u->mcr & MCR_LOOP) {
			if (u->rx_count < RX_FIFO) {
				u->rx[(u->rx_head + u->rx_count) % RX_FIFO] = val;
				u->rx_count++;
			}
		} else if (write(STDOUT_FILENO, &val, 1) < 0) {
			/* the console is gone: nothing to tell the guest */
		}
		/* sent at once: the holding register is empty again */
		u->thre_int = true;
		break;
	case UART_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
			break;
		}
		/* enabling THRI with THR empty raises it (16550 data sheet) */
		if ((val & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_int = true;
		u->ier = val & 0x0f;
		break;
	case UART_IIR_FCR:
		u->fcr = val;
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & 0x1f;
		break;
	case UART_SCR:
		u->scr = val;
		break;
	}
}

void uart_mmio(struct vm *vm, uint64_t off, uint8_t *data, uint32_t len,
	       bool is_write)
{
	struct uart *u = &uart;

	pthread_mutex_lock(&u->lock);
	if (off < 8) {
		if (is_write)
			uart_write(u, off, data[0]);
		else
			data[0] = uart_read(u, off);
		uart_update_irq(vm, u);
	}
	if (!is_write && len > 1)
		memset(data + 1, 0, len - 1);
	pthread_mutex_unlock(&u->lock);
}

static void *uart_input_thread(void *arg)
{
	struct vm *vm = arg;
	struct uart *u = &uart;
	uint8_t buf[RX_FIFO];
	ssize_t n, i;

	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n <= 0)
			return NULL;	/* no more input: the guest runs on */
		for (i = 0; i < n; i++) {
			pthread_mutex_lock(&u->lock);
			/* no flow control: wait for room in the FIFO */
			while (u->rx_count == RX_FIFO) {
				pthread_mutex_unlock(&u->lock);
				usleep(1000);
				pthread_mutex_lock(&u->lock);
			}
			u->rx[(u->rx_head + u->rx_count) % RX_FIFO] = buf[i];
			u->rx_count++;
			uart_update_irq(vm, u);
			pthread_mutex_unlock(&u->lock);
		}
	}
}

void uart_start_input(struct vm *vm)
{
	pthread_t t;

	if (pthread_create(&t, NULL, uart_input_thread, vm))
		vmm_die("UART input thread: %m");
	pthread_detach(t);
}
