// expect: compile_error
// message: compute_reward must be: double compute_reward(const env_state *s, reward_terms *t)
float compute_reward(env_state *s) {
    return (float)s->pole_angle;
}
