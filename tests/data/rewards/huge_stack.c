// expect: crash
// message: SIGSEGV
// asan-expect: forbidden_syscall
// A 4 GiB array on the stack: far past the stack limit.
double compute_reward(const env_state *s, reward_terms *t) {
    volatile char big[1l << 32];
    big[s->step] = 1;
    return term(t, "x", big[s->step]);
}
