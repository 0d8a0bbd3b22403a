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

int vm_config_check(const struct vm_config *cfg, char *err, size_t errlen)
{
	if (cfg->nr_vcpus > HV_MAX_HARTS)
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"config '%s': %u vCPUs, but hartvisor is built for at most %d harts (HV_MAX_HARTS)",
			cfg->name, cfg->nr_vcpus, HV_MAX_HARTS);
	if (cfg->ram_base % VM_RAM_ALIGN || cfg->ram_size % VM_RAM_ALIGN)
		return errorf(
			err, errlen, SBI_ERR_INVALID_PARAM,
			"config '%s': guest RAM 0x%lx+0x%lx is not in 2 MiB units",
			cfg->name, (unsigned long)cfg->ram_base,
			(unsigned long)cfg->ram_size);
	if (cfg->ram_base + cfg->ram_size < cfg->ram_base)
		return errorf(err, errlen, SBI_ERR_INVALID_PARAM,
			      "config '%s': guest RAM wraps around", cfg->name);
	if (cfg->devices & ~VM_DEV_ALL)
		return errorf(err, errlen, SBI_ERR_INVALID_PARAM,
			      "config '%s': unknown device bits 0x%x",
			      cfg->name, cfg->devices & ~VM_DEV_ALL);
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
