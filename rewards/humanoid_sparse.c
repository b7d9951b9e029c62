// humanoid, sparse reward: the fitness itself, forward progress in metres made this step
// (velocity along +x times the 0.025 s control step).
double compute_reward(const env_state *s, reward_terms *t) {
    double r = 0.0;
    r += term(t, "forward_progress", 0.025 * s->torso_vel[0]);
    return r;
}
