/* reorient: what the reward can read at every control step (25 Hz).
 * World frame: z up, metres, radians. Quaternions are (w, x, y, z).
 * The cube (6 cm, held at its centre by a ball joint: it can turn but not fall)
 * sits below a hand of three fingers with three hinge joints each. */
#define N_FINGERS 3
#define N_JOINTS 9
#define CUBE_HALF_SIZE 0.03      /* m: the cube's faces are 3 cm from its centre */
#define SUCCESS_ANGLE 0.4        /* rad: the episode succeeds if it ends closer than this */

typedef struct env_state {
    double cube_quat[4];         /* cube orientation, world frame */
    double goal_quat[4];         /* goal orientation for the cube, world frame */
    double cube_angvel[3];       /* cube angular velocity, world frame, rad/s */
    double cube_pos[3];          /* cube centre, world frame, m (fixed) */
    double fingertip_pos[N_FINGERS][3]; /* fingertip sphere centres, world frame, m */
    double joint_pos[N_JOINTS];  /* finger joint angles, rad (finger f: joints 3f..3f+2) */
    double joint_vel[N_JOINTS];  /* finger joint velocities, rad/s */
    double action[N_JOINTS];     /* this step's action, each in [-1, 1] (joint targets) */
    int step;                    /* control step within the episode, 0..74 */
} env_state;
