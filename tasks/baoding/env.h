/* baoding: what the reward can read at every control step (25 Hz).
 * World frame: z up, metres, seconds. The palm is a flat tray whose surface is at
 * z = PALM_HEIGHT, centred on the z axis; the two balls roll on it in the ring between
 * a low inner boss and a low outer rim. Each ball has a target that circles the z axis at
 * ORBIT_RADIUS, one full turn every PERIOD seconds (slower in the easier stages of a
 * training with a curriculum: target_pos and target_vel always say where they are), the
 * two targets always opposite each other. The hand above is three fingers of three hinge
 * joints each; every joint is moved by two muscles pulling against each other: muscle 2j
 * turns joint j toward its lower limit, muscle 2j+1 toward its upper limit (joint j:
 * finger j/3; j%3 = 0 side, 1 base, 2 mid). Muscles only pull; a muscle's force follows
 * its activation, which lags its excitation by 10-40 ms. */
#define N_FINGERS 3
#define N_JOINTS 9
#define N_MUSCLES 18
#define N_BALLS 2
#define BALL_RADIUS 0.016        /* m */
#define PALM_HEIGHT 0.010        /* m: z of the tray surface; a resting ball's centre is at
                                    PALM_HEIGHT + BALL_RADIUS */
#define ORBIT_RADIUS 0.045       /* m: the targets' distance from the z axis */
#define PERIOD 5.0               /* s: one turn of the targets */
#define TARGET_TOLERANCE 0.015   /* m: a ball is on target closer than this */
#define DROP_RADIUS 0.075        /* m: a ball whose centre is farther than this from the z
                                    axis (horizontally) has left the palm: the episode ends */
#define MUSCLE_MAX_FORCE 2.0     /* N m: a fully active muscle's peak tension at its best length */

typedef struct env_state {
    double ball_pos[N_BALLS][3];     /* ball centres, world frame, m */
    double ball_vel[N_BALLS][3];     /* ball linear velocities, world frame, m/s */
    double target_pos[N_BALLS][3];   /* where each ball should be now, world frame, m
                                        (z = PALM_HEIGHT + BALL_RADIUS) */
    double target_vel[N_BALLS][3];   /* the targets' velocities, world frame, m/s (their
                                        direction of turn differs between episodes) */
    double fingertip_pos[N_FINGERS][3]; /* fingertip sphere centres (radius 1 cm), world frame, m */
    double joint_pos[N_JOINTS];      /* finger joint angles, rad (finger f: joints 3f..3f+2) */
    double joint_vel[N_JOINTS];      /* finger joint velocities, rad/s */
    double excitation[N_MUSCLES];    /* this step's muscle excitations (the action), each in
                                        [0, 1]; action 0 = 0.5 on every muscle */
    double activation[N_MUSCLES];    /* muscle activations now, each in [0, 1] */
    double muscle_force[N_MUSCLES];  /* muscle tensions now, N m (torque about the muscle's
                                        joint), >= 0, at most about 1.2 x MUSCLE_MAX_FORCE */
    int step;                        /* control step within the episode, 0..124 */
} env_state;
