// SPDX-License-Identifier: BSD-2-Clause
/*
 * Choosing and checking a VM config. What depends on the machine (harts,
 * RAM, devices) is checked when the VM is planned, in vm_plan.c.
 */
#include <string.h>

#include "printf.h"
#include "sbi.h"
#include "vm_config.h"

#define CONFIG_WORD "config="

const struct vm_config *vm_config_find(const char *name)
{
	for (unsigned int i = 0; i < nr_vm_configs; i++)
		if (!strcmp(vm_configs[i]->name, name))
			return vm_configs[i];
	return NULL;
}

const char *vm_spec_name(const struct vm_config *cfg, unsigned int i)
{
	return cfg->vms[i].name ? cfg->vms[i].name : cfg->name;
}

void vm_spec_what(const struct vm_config *cfg, unsigned int i, char *buf,
		  size_t size)
{
	if (cfg->nr_vms > 1)
		snprintf(buf, size, "config '%s': VM '%s'", cfg->name,
			 vm_spec_name(cfg, i));
	else
		snprintf(buf, size, "config '%s'", cfg->name);
}

static int vm_spec_check(const struct vm_config *cfg, unsigned int i, char *err,
			 size_t errlen)
{
	const struct vm_spec *s = &cfg->vms[i];
	const char *name = vm_spec_name(cfg, i);
	char what[80];

	vm_spec_what(cfg, i, what, sizeof(what));
	if (cfg->nr_vms > 1 && !s->harts)
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"config '%s': VM '%s' names no harts (.harts = HARTS(first, count)): with several VMs each takes its own",
			cfg->name, name);
	if (cfg->nr_vms > 1 && !s->ram_size)
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"config '%s': VM '%s' has no RAM size: with several VMs each gives .ram_size",
			cfg->name, name);
	if (s->ram_base % VM_RAM_ALIGN || s->ram_size % VM_RAM_ALIGN)
		return errorf(err, errlen, SBI_ERR_INVALID_PARAM,
			      "%s: guest RAM 0x%lx+0x%lx is not in 2 MiB units",
			      what, (unsigned long)s->ram_base,
			      (unsigned long)s->ram_size);
	if (s->ram_base + s->ram_size < s->ram_base)
		return errorf(err, errlen, SBI_ERR_INVALID_PARAM,
			      "%s: guest RAM wraps around", what);
	if (s->devices & ~VM_DEV_ALL)
		return errorf(err, errlen, SBI_ERR_INVALID_PARAM,
			      "%s: unknown device bits 0x%x", what,
			      s->devices & ~VM_DEV_ALL);
	if (s->virtio && !(s->devices & VM_DEV_VIRTIO))
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"%s names virtio slots (.virtio) but not VM_DEV_VIRTIO",
			what);
	for (unsigned int j = 0; j < i; j++)
		if (!strcmp(name, vm_spec_name(cfg, j)))
			return errorf(err, errlen, SBI_ERR_INVALID_PARAM,
				      "config '%s': two VMs are called '%s'",
				      cfg->name, name);
	return 0;
}

/* A device-tree node name of our own: [a-z0-9-], 1-24 bytes. */
static bool channel_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (!n || n > 24)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '-'))
			return false;
	return true;
}

/* Channel @i of @cfg on its own: what needs no machine. */
static int vm_channel_check(const struct vm_config *cfg, unsigned int i,
			    char *err, size_t errlen)
{
	const struct vm_channel *ch = &cfg->channels[i];
	uint64_t data = ch->size - MIN(ch->size, CHAN_PAGE);

	if (!channel_name_ok(ch->name))
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"config '%s': channel %u's name '%s' is not 1-24 of [a-z0-9-] (its device-tree node's)",
			cfg->name, i, ch->name ? ch->name : "(none)");
	for (unsigned int j = 0; j < i; j++)
		if (!strcmp(ch->name, cfg->channels[j].name))
			return errorf(
				err, errlen, SBI_ERR_INVALID_PARAM,
				"config '%s': two channels are called '%s'",
				cfg->name, ch->name);
	if (ch->nr_peers < 2 || ch->nr_peers > CHAN_MAX_PEERS)
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"config '%s': channel '%s' has %u peers; a channel joins 2 to %u VMs",
			cfg->name, ch->name, ch->nr_peers, CHAN_MAX_PEERS);
	if (ch->doorbell != CHAN_DOORBELL_CHECKED &&
	    ch->doorbell != CHAN_DOORBELL_TRUSTED)
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"config '%s': channel '%s': unknown doorbell kind %u (CHAN_DOORBELL_CHECKED or CHAN_DOORBELL_TRUSTED)",
			cfg->name, ch->name, ch->doorbell);
	if (!data || data % (ch->nr_peers * (uint64_t)CHAN_PAGE))
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"config '%s': channel '%s': size 0x%lx is not 4 KiB of header and %u output sections of whole 4 KiB pages (e.g. 0x%lx)",
			cfg->name, ch->name, (unsigned long)ch->size,
			ch->nr_peers,
			(unsigned long)(CHAN_PAGE +
					ch->nr_peers * 4 * CHAN_PAGE));
	for (unsigned int j = 0; j < ch->nr_peers; j++) {
		const struct vm_channel_peer *pe = &ch->peers[j];

		if (pe->vm >= cfg->nr_vms)
			return errorf(
				err, errlen, SBI_ERR_INVALID_PARAM,
				"config '%s': channel '%s': peer %u is VM %u, but the config has %u",
				cfg->name, ch->name, j, pe->vm, cfg->nr_vms);
		for (unsigned int k = 0; k < j; k++)
			if (ch->peers[k].vm == pe->vm)
				return errorf(
					err, errlen, SBI_ERR_INVALID_PARAM,
					"config '%s': channel '%s': VM '%s' is two of its peers",
					cfg->name, ch->name,
					vm_spec_name(cfg, pe->vm));
		if (pe->gpa % CHAN_PAGE || !pe->gpa)
			return errorf(
				err, errlen, SBI_ERR_INVALID_PARAM,
				"config '%s': channel '%s': its address in VM '%s', 0x%lx, is not a 4 KiB page's",
				cfg->name, ch->name, vm_spec_name(cfg, pe->vm),
				(unsigned long)pe->gpa);
		if (!pe->irq || !(cfg->vms[pe->vm].devices & VM_DEV_IRQCHIP))
			return errorf(
				err, errlen, SBI_ERR_INVALID_PARAM,
				"config '%s': channel '%s': VM '%s' needs VM_DEV_IRQCHIP and an interrupt source (.irq) for its doorbell",
				cfg->name, ch->name, vm_spec_name(cfg, pe->vm));
	}
	return 0;
}

int vm_config_check(const struct vm_config *cfg, char *err, size_t errlen)
{
	if (!cfg->nr_vms || cfg->nr_vms > HV_MAX_VMS)
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"config '%s': %u VMs; hartvisor runs 1 to %d (HV_MAX_VMS)",
			cfg->name, cfg->nr_vms, HV_MAX_VMS);
	for (unsigned int i = 0; i < cfg->nr_vms; i++) {
		int ret = vm_spec_check(cfg, i, err, errlen);

		if (ret)
			return ret;
	}
	if (cfg->nr_channels > VM_MAX_CHANNELS)
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"config '%s': %u channels; hartvisor takes up to %d (VM_MAX_CHANNELS)",
			cfg->name, cfg->nr_channels, VM_MAX_CHANNELS);
	for (unsigned int i = 0; i < cfg->nr_channels; i++) {
		int ret = vm_channel_check(cfg, i, err, errlen);

		if (ret)
			return ret;
	}
	return 0;
}

/* "no config 'x'; there are: a b c" */
static int unknown_config(const char *name, size_t len, char *err,
			  size_t errlen)
{
	int n = snprintf(err, errlen,
			 "no VM config '%.*s'; configs/ has:", (int)len, name);

	for (unsigned int i = 0; i < nr_vm_configs; i++)
		if (n >= 0 && (size_t)n < errlen)
			n += snprintf(err + n, errlen - (size_t)n, " %s",
				      vm_configs[i]->name);
	return SBI_ERR_INVALID_PARAM;
}

int vm_config_select(const char *cmdline, const struct vm_config **cfg,
		     char *err, size_t errlen)
{
	const char *p = cmdline ? cmdline : "";
	char name[32];

	*cfg = vm_config_find("default");
	while (*p) {
		size_t len;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		len = strcspn(p, " \t\n");
		if (!len)
			break;
		if (len <= strlen(CONFIG_WORD) ||
		    strncmp(p, CONFIG_WORD, strlen(CONFIG_WORD)))
			return errorf(
				err, errlen, SBI_ERR_INVALID_PARAM,
				"unknown word '%.*s' on hartvisor's command line (QEMU -append): it takes config=NAME",
				(int)len, p);
		p += strlen(CONFIG_WORD);
		len -= strlen(CONFIG_WORD);
		if (len >= sizeof(name))
			return unknown_config(p, len, err, errlen);
		memcpy(name, p, len);
		name[len] = '\0';
		*cfg = vm_config_find(name);
		if (!*cfg)
			return unknown_config(p, len, err, errlen);
		p += len;
	}
	if (!*cfg)
		return errorf(err, errlen, SBI_ERR_NOT_SUPPORTED,
			      "no VM config named 'default' in this build");
	return vm_config_check(*cfg, err, errlen);
}
