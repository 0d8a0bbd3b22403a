// SPDX-License-Identifier: BSD-2-Clause
/* Ticket spinlocks: fair, so no hart starves under QEMU's TCG. */
#include "arch.h"
#include "log.h"

void spin_lock(struct spinlock *lock)
{
	uint32_t ticket;

#ifdef HV_DEBUG
	if (lock->holder && lock->holder == arch_this_hart())
		panic("spin_lock: lock %p already held by this hart", lock);
#endif
	ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);
	/* Acquire: the critical section starts after we own the lock. */
	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
#ifdef HV_DEBUG
	lock->holder = arch_this_hart();
#endif
}

bool spin_trylock(struct spinlock *lock)
{
	uint32_t owner = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
	uint32_t ticket = owner;

	/* Take the next ticket only if it is the one being served: free. */
	if (!__atomic_compare_exchange_n(&lock->next, &ticket, owner + 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
#ifdef HV_DEBUG
	lock->holder = arch_this_hart();
#endif
	return true;
}

void spin_unlock(struct spinlock *lock)
{
#ifdef HV_DEBUG
	if (lock->holder != arch_this_hart())
		panic("spin_unlock: lock %p not held by this hart", lock);
	lock->holder = NULL;
#endif
	/* Release: the critical section's writes precede the hand-over. */
	__atomic_store_n(&lock->owner, lock->owner + 1, __ATOMIC_RELEASE);
}
