// expect: crash
// message: SIGSEGV
// A 1 GiB array on the stack: far past the 8 MiB stack limit. (Not 4 GiB: tcc 0.9.27
// truncates a frame size to 32 bits, so a 4 GiB array would overlap the reward's own
// frame and the outcome would depend on the stack layout; see docs/rewards.md.)
double compute_reward(const env_state *s, reward_terms *t) {
    volatile char big[1l << 30];
    big[s->step] = 1;
    return term(t, "x", big[s->step]);
}
