// expect: compile_error
// message: reward.c:6: 'asm' is not allowed
double compute_reward(const env_state *s, reward_terms *t) {
    long r;
    /* getpid through a raw system call */
    asm volatile("mov $39, %%eax; syscall" : "=a"(r));
    return term(t, "x", (double)r);
}
